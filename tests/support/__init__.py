"""What the tests share and are not tests themselves: builders of rows, the access personas,
helpers of each area's tests. Fixtures among them are made reachable by the conftest.py files."""

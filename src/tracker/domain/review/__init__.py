"""The yearly review: figures from the records, scorecards, the material of the report's other
sections, exports, the finalised year and the county comparison."""

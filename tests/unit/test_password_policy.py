"""The password policy (length, common passwords, not the login name) and Argon2id hashing."""

from __future__ import annotations

import pytest

from tracker.domain.accounts import passwords
from tracker.i18n import use_locale


def problem(password: str, login: str = "") -> str | None:
    with use_locale("en"):
        return passwords.password_problem(password, login)


@pytest.mark.parametrize(
    ("password", "login", "expected"),
    [
        # length: 8 to 128 characters
        ("", "", "Use at least 8 characters"),
        ("k7#vQ2x", "", "Use at least 8 characters"),  # 7
        ("k7#vQ2xz", "", None),  # 8
        ("a" * 7 + "斗", "", None),  # 8 characters, whatever the script
        ("x7" * 64, "", None),  # 128
        ("x7" * 64 + "y", "", "Use at most 128 characters"),  # 129
        # one of the 1,000 most common, in any case
        ("password1", "", "This password is too common; choose another"),
        ("PASSWORD1", "", "This password is too common; choose another"),
        ("PassWord1", "", "This password is too common; choose another"),
        ("12345678", "", "This password is too common; choose another"),
        ("iloveyou", "", "This password is too common; choose another"),
        ("QwertyUiop", "", "This password is too common; choose another"),
        ("password1!", "", None),
        # equal to the login name, in any case
        ("wang.xiaoming", "wang.xiaoming", "The password must not be the login name"),
        ("Wang.XiaoMing", "wang.xiaoming", "The password must not be the login name"),
        ("wang.xiaoming2", "wang.xiaoming", None),
        ("wang.xiaoming", "", None),
    ],
)
def test_it_refuses_weak_passwords(password: str, login: str, expected: str | None) -> None:
    assert problem(password, login) == expected


def test_it_explains_in_chinese_by_default() -> None:
    with use_locale("zh_CN"):
        message = passwords.password_problem("short")
    assert message is not None and "8" in message and "characters" not in message


def test_it_hashes_with_argon2id_and_verifies() -> None:
    hashed = passwords.hash_password("k7#vQ2xz-pass")
    assert hashed.startswith("$argon2id$")
    assert "k7#vQ2xz-pass" not in hashed
    assert passwords.verify_password(hashed, "k7#vQ2xz-pass")
    assert hashed != passwords.hash_password("k7#vQ2xz-pass")  # salted
    assert not passwords.needs_rehash(hashed)


@pytest.mark.parametrize("wrong", ["k7#vQ2xz-pasS", "k7#vQ2xz-pass ", "", "k7#vQ2xz"])
def test_it_refuses_a_wrong_password(wrong: str) -> None:
    assert not passwords.verify_password(passwords.hash_password("k7#vQ2xz-pass"), wrong)


@pytest.mark.parametrize("garbage", ["", "not-a-hash", "$argon2id$v=19$m=1,t=1,p=1$broken", "*" * 60])
def test_it_answers_false_for_a_garbage_hash(garbage: str) -> None:
    assert passwords.verify_password(garbage, "k7#vQ2xz-pass") is False


def test_it_generates_initial_passwords_that_pass_the_policy() -> None:
    generated = {passwords.generate_initial_password() for _ in range(50)}
    assert len(generated) == 50
    for password in generated:
        assert len(password) == 12
        assert problem(password) is None
        assert not set(password) & set("0O1lI")  # read aloud and typed on a phone


def test_it_keeps_a_dummy_hash_that_matches_no_ordinary_password() -> None:
    assert passwords.DUMMY_HASH.startswith("$argon2id$")
    assert not passwords.verify_password(passwords.DUMMY_HASH, "")
    assert not passwords.verify_password(passwords.DUMMY_HASH, "password1")

"""Accounts' service: the stand-in hash that makes an unknown address cost a real verification."""

import pytest
from argon2 import PasswordHasher, profiles
from argon2.exceptions import VerifyMismatchError

from organizer.auth.service import dummy_hash


@pytest.mark.parametrize("profile", ["RFC_9106_LOW_MEMORY", "CHEAPEST"])
def test_the_stand_in_hash_is_well_formed_with_the_hashers_parameters_and_matches_no_password(profile):
    hasher = PasswordHasher.from_parameters(getattr(profiles, profile))
    stand_in = dummy_hash(hasher)
    # Well formed (a malformed one would fail fast with InvalidHashError: a timing difference),
    # with the same parameters as a real hash (so the same work), and no password matches it.
    assert not hasher.check_needs_rehash(stand_in)
    with pytest.raises(VerifyMismatchError):
        hasher.verify(stand_in, "a password nobody has, for timing")
    with pytest.raises(VerifyMismatchError):
        hasher.verify(stand_in, "")
    assert stand_in.split("$")[:4] == hasher.hash("x").split("$")[:4]
    assert dummy_hash(hasher) != stand_in  # a fresh salt and digest each time

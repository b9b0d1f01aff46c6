import hashlib
import hmac

import pytest

from systems.personnummer import hash_personnummer, mask_personnummer


def test_hash_is_hmac_sha256_with_the_configured_key(settings):
    settings.PERSONNUMMER_HMAC_KEY = "nyckel-1"
    expected = hmac.new(b"nyckel-1", b"198001011234", hashlib.sha256).hexdigest()
    assert hash_personnummer("198001011234") == expected
    settings.PERSONNUMMER_HMAC_KEY = "nyckel-2"
    assert hash_personnummer("198001011234") != expected


def test_mask_keeps_the_birth_date_only():
    assert mask_personnummer("198001011234") == "19800101-****"


@pytest.mark.parametrize(
    "bad", ["8001011234", "19800101-1234", "19800101123a", "１９８００１０１１２３４", "", None]
)
def test_only_the_normalised_twelve_digits_are_accepted(bad):
    with pytest.raises(ValueError):
        hash_personnummer(bad)
    with pytest.raises(ValueError):
        mask_personnummer(bad)

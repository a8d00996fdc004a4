"""Files beside an encrypted centre's database, sealed under its passphrase. No Qt here."""

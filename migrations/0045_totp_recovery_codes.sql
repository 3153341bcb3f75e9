-- Recovery codes: single-use second factors for a user who lost their authenticator app.
-- Only the SHA-256 of each unused code is kept (a code carries 80 random bits, so a fast hash
-- cannot be reversed by guessing); signing in with one removes it. Making a new set replaces the
-- old one; turning two-factor off empties it.
ALTER TABLE users ADD COLUMN totp_recovery_hashes text[] NOT NULL DEFAULT '{}';

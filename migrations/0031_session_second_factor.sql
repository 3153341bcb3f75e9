-- Whether a session proved the account's second factor (a TOTP code at sign-in, or enrolling
-- one in this session). A session without it — one made before the account had a second factor,
-- or by creating an account from an invitation — stays in its workspace: moving to another
-- workspace of the same account needs a session that proved everything the account has.
ALTER TABLE sessions ADD COLUMN second_factor boolean NOT NULL DEFAULT false;

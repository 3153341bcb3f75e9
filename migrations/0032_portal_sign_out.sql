-- A portal session is the one use of its magic link (portal_links.used_at). Signing out ends it
-- on the server: the signed cookie, even if kept or copied, no longer opens anything.
ALTER TABLE portal_links ADD COLUMN signed_out_at timestamptz;

-- Resolving a session cookie in one statement (#9).
--
-- Every signed-in request first resolves its cookie: the session, its user's second factor,
-- then the membership it acts as. The membership is tenant-owned, so it can only be read once
-- the transaction is scoped to the session's workspace; done from the application that took
-- four statements and as many round trips before the request's own work could start. This
-- function does the same reads in one statement, with the caller's rights (lawful_app, under
-- row-level security): it scopes the transaction to the session's workspace itself, exactly as
-- the application did (a transaction-local setting, gone at commit).
--
-- It returns one row for a session whose member is active in the workspace, and nothing
-- otherwise. Revocation, absolute and idle expiry stay the application's decision
-- (src/auth/sessions.ts), which also refreshes last_seen_at.
CREATE FUNCTION app_session_lookup(p_token_hash bytea)
  RETURNS TABLE (
    id                 uuid,
    token_hash         bytea,
    user_id            uuid,
    tenant_id          uuid,
    mfa_pending        boolean,
    last_seen_at       timestamptz,
    expires_at         timestamptz,
    revoked_at         timestamptz,
    totp_enabled_at    timestamptz,
    member_id          uuid,
    role               member_role,
    is_dpo             boolean,
    require_admin_totp boolean
  )
  LANGUAGE plpgsql VOLATILE
  SET search_path = public
AS $$
DECLARE
  found_session record;
BEGIN
  SELECT s.id, s.token_hash, s.user_id, s.tenant_id, s.mfa_pending, s.last_seen_at, s.expires_at,
         s.revoked_at, u.totp_enabled_at
    INTO found_session
    FROM sessions s JOIN users u ON u.id = s.user_id
   WHERE s.token_hash = p_token_hash;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  PERFORM set_config('app.tenant_id', found_session.tenant_id::text, true),
          set_config('app.user_id', '', true);
  RETURN QUERY
    SELECT found_session.id, found_session.token_hash, found_session.user_id, found_session.tenant_id,
           found_session.mfa_pending, found_session.last_seen_at, found_session.expires_at,
           found_session.revoked_at, found_session.totp_enabled_at,
           m.id, m.role, m.is_dpo, t.require_admin_totp
      FROM members m JOIN tenants t ON t.id = m.tenant_id
     WHERE m.tenant_id = found_session.tenant_id
       AND m.user_id = found_session.user_id
       AND m.status = 'active';
END
$$;

GRANT EXECUTE ON FUNCTION app_session_lookup(bytea) TO lawful_app;

-- Confirming a session a node has resolved before, inside a request's own transaction.
--
-- A node remembers the sessions it resolved (src/auth/session-hints.ts) and, instead of a lookup
-- of its own, asks the request's first transaction to confirm, with the statement that opens it,
-- that the session is still exactly what it remembers: live (not revoked, within its absolute
-- and idle lifetime), the same active member with the same role, DPO flag and second-factor
-- state. Anything else raises, which fails that transaction before it did anything:
--   LWS01  the session is over (signed out, expired, idle, member gone): sign in again;
--   LWS02  the session changed (role, DPO flag, second factor): the request is refused, the
--          node forgets what it remembered and resolves the session afresh next time.
-- So nothing a node remembers is ever acted on without the database agreeing in the same
-- transaction, and a sign-out on one node holds on every node at once.
--
-- The transaction may be scoped to any workspace or none; the membership is read in the
-- session's workspace and the transaction's scope is put back as it was. last_seen_at is
-- refreshed at most every p_touch_seconds, without waiting for a concurrent request doing it.
CREATE FUNCTION app_session_confirm(
  p_session            uuid,
  p_member             uuid,
  p_role               member_role,
  p_is_dpo             boolean,
  p_mfa_pending        boolean,
  p_totp_enabled       boolean,
  p_require_admin_totp boolean,
  p_idle_seconds       integer,
  p_touch_seconds      integer
) RETURNS void
  LANGUAGE plpgsql VOLATILE
  SET search_path = public
AS $$
DECLARE
  found_session record;
  membership    record;
  is_member     boolean;
  scope_tenant  text := coalesce(current_setting('app.tenant_id', true), '');
  scope_user    text := coalesce(current_setting('app.user_id', true), '');
BEGIN
  SELECT s.tenant_id, s.user_id, s.mfa_pending, s.last_seen_at, s.expires_at, s.revoked_at,
         u.totp_enabled_at IS NOT NULL AS totp_enabled
    INTO found_session
    FROM sessions s JOIN users u ON u.id = s.user_id
   WHERE s.id = p_session;
  IF NOT FOUND OR found_session.revoked_at IS NOT NULL OR found_session.expires_at <= now()
     OR found_session.last_seen_at + make_interval(secs => p_idle_seconds) <= now() THEN
    RAISE EXCEPTION 'session ended' USING ERRCODE = 'LWS01';
  END IF;

  PERFORM set_config('app.tenant_id', found_session.tenant_id::text, true),
          set_config('app.user_id', '', true);
  SELECT m.role, m.is_dpo, t.require_admin_totp
    INTO membership
    FROM members m JOIN tenants t ON t.id = m.tenant_id
   WHERE m.tenant_id = found_session.tenant_id AND m.id = p_member
     AND m.user_id = found_session.user_id AND m.status = 'active';
  is_member := FOUND;
  PERFORM set_config('app.tenant_id', scope_tenant, true), set_config('app.user_id', scope_user, true);
  IF NOT is_member THEN
    RAISE EXCEPTION 'session ended' USING ERRCODE = 'LWS01';
  END IF;
  IF membership.role <> p_role OR membership.is_dpo <> p_is_dpo OR found_session.mfa_pending <> p_mfa_pending
     OR found_session.totp_enabled <> p_totp_enabled OR membership.require_admin_totp <> p_require_admin_totp THEN
    RAISE EXCEPTION 'session changed' USING ERRCODE = 'LWS02';
  END IF;

  IF found_session.last_seen_at + make_interval(secs => p_touch_seconds) <= now() THEN
    UPDATE sessions SET last_seen_at = now()
     WHERE id = (SELECT id FROM sessions WHERE id = p_session FOR UPDATE SKIP LOCKED);
  END IF;
END
$$;

GRANT EXECUTE ON FUNCTION app_session_confirm(uuid, uuid, member_role, boolean, boolean, boolean, boolean, integer, integer) TO lawful_app;

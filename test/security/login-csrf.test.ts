import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDatabase, signUp, TEST_PASSWORD } from '../support/helpers.ts';

/**
 * Login CSRF (issue 23, finding 6): a foreign page must not be able to sign the victim's browser
 * into the attacker's account. An HTML form can only send urlencoded or multipart bodies, and a
 * browser labels a cross-site request (Sec-Fetch-Site, Origin); the routes that set the session
 * cookie without one refuse both.
 */
describeEachDatabase('login CSRF', (env) => {
  it('takes sign-in, sign-up and invitation acceptance as JSON from our own pages only', async () => {
    const attacker = await signUp(env());
    const email = attacker.info.user.email;
    const post = (url: string, payload: string, headers: Record<string, string>) =>
      env().server.inject({ method: 'POST', url, payload, headers: { host: 'crm.example', ...headers }, remoteAddress: '198.51.100.77' });
    const json = JSON.stringify({ email, password: TEST_PASSWORD });

    const form = await post('/api/v1/auth/login', `email=${encodeURIComponent(email)}&password=${encodeURIComponent(TEST_PASSWORD)}`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(form.statusCode, 415);
    assert.equal(form.headers['set-cookie'], undefined, 'no session from a form post');
    const multipart = await post(
      '/api/v1/auth/signup',
      '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.example\r\n--x--\r\n',
      { 'content-type': 'multipart/form-data; boundary=x' },
    );
    assert.equal(multipart.statusCode, 415);

    for (const headers of [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ] as Array<Record<string, string>>) {
      for (const url of ['/api/v1/auth/login', '/api/v1/auth/signup', '/api/v1/auth/invitations/accept']) {
        const response = await post(url, json, { 'content-type': 'application/json', ...headers });
        assert.equal(response.statusCode, 403, `${url} ${JSON.stringify(headers)}`);
        assert.equal(JSON.parse(response.body).error, 'cross_site_refused');
        assert.equal(response.headers['set-cookie'], undefined);
      }
    }
    const own = await post('/api/v1/auth/login', json, {
      'content-type': 'application/json',
      origin: 'http://crm.example',
      'sec-fetch-site': 'same-origin',
    });
    assert.equal(own.statusCode, 200, own.body);
    const client = await post('/api/v1/auth/login', json, { 'content-type': 'application/json' });
    assert.equal(client.statusCode, 200, 'an API client sends neither header');
  });
});

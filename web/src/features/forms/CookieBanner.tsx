import { accepted } from '../../api/accepted.ts';
import { useState, type FormEvent } from 'react';
import { client, unwrap, type BodyOf } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';

type BannerBody = Required<BodyOf<'/api/v1/cookie-banner', 'put'>>;

/** The cookie banner's wording, policy link and the sites allowed to show it, with how to install it. */
export function CookieBanner() {
  const { data, error, run } = usePageData(['cookie-banner'], (signal) => unwrap(client.GET('/api/v1/cookie-banner', { signal })));
  // The form starts from the stored banner and keeps what is typed until saved.
  const [edited, setEdited] = useState<BannerBody | null>(null);
  if (!data) return <ErrorMessage error={error} />;
  const banner = edited ?? { text: data.text, policyUrl: data.policyUrl, allowedOrigins: data.allowedOrigins };
  const setBanner = setEdited;
  async function save(event: FormEvent) {
    event.preventDefault();
    if (await accepted(run(() => unwrap(client.PUT('/api/v1/cookie-banner', { body: banner }))))) setEdited(null);
  }
  return (
    <section aria-label="Cookie banner">
      <h2>Cookie banner</h2>
      <p className="muted">
        Categories are the active purposes with a cookie category:{' '}
        {data.categories.map((category) => category.key).join(', ') || 'none yet'}. Put this on your pages:{' '}
        <code>{`<script src="${data.scriptUrl}" async></script>`}</code>. Hold each script until its category is accepted by writing it as{' '}
        <code>{'<script type="text/plain" data-lawful-category="analytics" src="…"></script>'}</code>; the banner activates it after
        consent, never under Global Privacy Control for a category that sells or shares. Elements with{' '}
        <code>data-lawful-cookie-settings</code> reopen the banner.
      </p>
      <form className="inline" onSubmit={(event) => void save(event)}>
        <input aria-label="Banner text" value={banner.text} onChange={(e) => setBanner({ ...banner, text: e.target.value })} />
        <input
          aria-label="Policy URL"
          type="url"
          value={banner.policyUrl}
          onChange={(e) => setBanner({ ...banner, policyUrl: e.target.value })}
        />
        <input
          aria-label="Your sites (origins, comma-separated)"
          placeholder="https://www.example.org"
          value={banner.allowedOrigins.join(', ')}
          onChange={(e) =>
            setBanner({
              ...banner,
              allowedOrigins: e.target.value
                .split(',')
                .map((origin) => origin.trim())
                .filter(Boolean),
            })
          }
        />
        <button type="submit">Save</button>
      </form>
      <ErrorMessage error={error} />
    </section>
  );
}

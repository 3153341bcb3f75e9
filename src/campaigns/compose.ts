import type { Selectable } from 'kysely';
import type { AppContext } from '../app-context.ts';
import type { PersonRef } from '../crm/people.ts';
import { signLink } from '../consent/links.ts';
import { html, joinHtml, type SafeHtml } from '../shared/html.ts';
import type { PersonDetails } from '../crm/people.ts';
import type { CampaignsTable, EmailTemplatesTable } from '../db/types-campaigns.ts';
import type { Mail } from '../mail/mailer.ts';
import type { SenderIdentity } from './sender.ts';
import { render } from './templates.ts';

type CampaignRow = Selectable<CampaignsTable>;

/**
 * How long a preference-centre link opens the person's choices. It can grant consent, so a copy
 * that outlives the mailbox it was sent to (a forward, an archive) stops working; unsubscribing
 * only ever narrows processing, so that link keeps working (CAN-SPAM asks at least 30 days).
 */
export const PREFERENCE_LINK_DAYS = 60;

/** The links every marketing email carries: one-click unsubscribe, preference centre, privacy portal. */
export function emailLinks(app: AppContext, tenantId: string, slug: string, person: PersonRef, purposeId: string) {
  return {
    unsubscribe: `${app.config.publicUrl}/u/${signLink(app.keys, 'unsubscribe', [tenantId, person.type, person.id, purposeId])}`,
    preferences: `${app.config.publicUrl}/p/${signLink(app.keys, 'preferences', [tenantId, person.type, person.id], new Date(Date.now() + PREFERENCE_LINK_DAYS * 86_400_000))}`,
    portal: `${app.config.publicUrl}/privacy/${slug}`,
  };
}

const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;

/** Plain text as HTML: escaped, paragraphs kept, line breaks kept, addresses made links. */
function textToHtml(text: string): SafeHtml {
  const lines = (line: string) =>
    joinHtml(
      line.split('\n').map((part) => html`${part}`),
      html`<br>\n`,
    );
  const paragraphs = text.split(/\n{2,}/).map((paragraph) => {
    const parts: SafeHtml[] = [];
    let last = 0;
    for (const match of paragraph.matchAll(URL_IN_TEXT)) {
      parts.push(lines(paragraph.slice(last, match.index)), html`<a href="${match[0]}">${match[0]}</a>`);
      last = match.index + match[0].length;
    }
    parts.push(lines(paragraph.slice(last)));
    return html`<p>${parts}</p>`;
  });
  return joinHtml(paragraphs, html`\n`);
}

export interface ComposedMail {
  mail: Mail;
  /** Links that act for the recipient: kept out of the stored copy (src/mail/outbox.ts). */
  personalLinks: string[];
}

/**
 * A campaign or re-permission e-mail: the template merged for the person, sent as HTML with a
 * plain-text part, from the workspace's own sender identity, with its postal address, one-click
 * unsubscribe (RFC 8058), the preference centre and the privacy portal in every message
 * (ePrivacy Art. 13(2) and (4); PECR reg. 23; Directive 2000/31/EC Art. 6; CAN-SPAM 15 U.S.C. 7704(a)(5)).
 */
export function composeCampaignMail(
  app: AppContext,
  campaign: CampaignRow,
  template: Pick<Selectable<EmailTemplatesTable>, 'subject' | 'body'>,
  person: PersonDetails,
  workspace: { id: string; slug: string },
  sender: SenderIdentity,
  notices: string[] = [],
): ComposedMail {
  const to = person.emails[0]!;
  const { subject, body } = render(template, person, to);
  const links = emailLinks(app, workspace.id, workspace.slug, person, campaign.purpose_id);
  const personalLinks = [links.unsubscribe, links.preferences];
  let text = body.trimEnd();
  if (campaign.kind === 'repermission') {
    const confirm = `${app.config.publicUrl}/r/${signLink(app.keys, 'repermission', [workspace.id, campaign.id, person.type, person.id], campaign.confirm_by!)}`;
    personalLinks.push(confirm);
    text += `\n\nTo keep hearing from us, confirm before ${new Date(campaign.confirm_by!).toISOString().slice(0, 10)}:\n${confirm}\nIf you do not confirm, we will stop.`;
  }
  // The first e-mail to a person whose data did not come from them carries the Art. 14 notice (Art. 14(3)(b)).
  for (const notice of notices) text += `\n\n--\nAbout your personal data\n\n${notice.trimEnd()}`;
  const footer =
    `You receive this from ${sender.name}, ${sender.postalAddress.replace(/\s*\n\s*/g, ', ')}.\n` +
    `Unsubscribe: ${links.unsubscribe}\n` +
    `Your preferences: ${links.preferences}\n` +
    `Your data and your rights: ${links.portal}`;
  const htmlFooter = html`<p style="color:#5b6475;font-size:13px">You receive this from ${sender.name}, ${sender.postalAddress.replace(/\s*\n\s*/g, ', ')}.<br>
<a href="${links.unsubscribe}">Unsubscribe</a> · <a href="${links.preferences}">Your preferences</a> · <a href="${links.portal}">Your data and your rights</a></p>`;
  return {
    mail: {
      from: { name: sender.name, address: sender.email },
      to,
      subject,
      text: `${text}\n\n--\n${footer}\n`,
      html: html`<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5">
${textToHtml(text)}
<hr>
${htmlFooter}
</body></html>`.toString(),
      headers: {
        'List-Unsubscribe': `<${links.unsubscribe}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    },
    personalLinks,
  };
}

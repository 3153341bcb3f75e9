/** Minimal server-rendered pages for people who are not members: forms, confirmations, links. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1d2433;line-height:1.5}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text],input[type=email],input[type=tel]{width:100%;padding:.5rem;border:1px solid #b8c0cc;border-radius:4px;box-sizing:border-box}
.consent{display:flex;gap:.5rem;align-items:flex-start;font-weight:normal}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
button{margin-top:1rem;padding:.6rem 1.2rem;background:#2b59c3;color:#fff;border:0;border-radius:4px;font-size:1rem;cursor:pointer}
.error{color:#b00020}.muted{color:#5b6475;font-size:.9rem}
table{border-collapse:collapse;width:100%}td,th{padding:.4rem;border-bottom:1px solid #e3e7ee;text-align:left}
</style></head><body>${body}</body></html>`;
}

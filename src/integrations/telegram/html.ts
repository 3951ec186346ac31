/** Building blocks for Telegram's HTML parse mode. Every piece of outside text goes through `escapeHtml`. */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttribute(value: string): string {
  return escapeHtml(value).replace(/"/g, '&quot;');
}

export function bold(text: string): string {
  return `<b>${escapeHtml(text)}</b>`;
}

export function italic(text: string): string {
  return `<i>${escapeHtml(text)}</i>`;
}

export function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

export function preformatted(text: string): string {
  return `<pre>${escapeHtml(text)}</pre>`;
}

export function link(url: string, text: string): string {
  return `<a href="${escapeAttribute(url)}">${escapeHtml(text)}</a>`;
}

/** The webhook secret is a path segment of every REST and download URL; nothing we log or throw may carry it. */
export function redactSecret(text: string, secret: string): string {
  const withoutSecret = secret ? text.split(secret).join('***') : text;
  return withoutSecret
    .replace(/(\/rest\/\d+\/)[^/\s?"']+/g, '$1***')
    .replace(/([?&](?:token|auth)=)[^&\s"']+/gi, '$1***');
}

/** `https://portal/rest/1/secret` → `secret`. */
export function webhookSecret(webhookUrl: string): string {
  const match = /\/rest\/\d+\/([^/?#]+)/.exec(webhookUrl);
  return match ? match[1] : '';
}

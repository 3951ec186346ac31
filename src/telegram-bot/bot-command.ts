export interface BotCommand {
  /** Lower case, without the slash and the bot's name: `top`. */
  name: string;
  args: string[];
}

const COMMAND = /^\/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/;

/**
 * A message's command: `/top@our_bot week` gives `top` with `["week"]`. Undefined for text that is no command,
 * and for a command addressed to another bot in the same group.
 */
export function parseCommand(text: string, botUsername: string): BotCommand | undefined {
  const match = COMMAND.exec(text.trim());
  if (!match) return undefined;
  const [, name, addressee, rest] = match;
  if (addressee && addressee.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return { name: name.toLowerCase(), args: (rest ?? '').split(/\s+/).filter(Boolean) };
}

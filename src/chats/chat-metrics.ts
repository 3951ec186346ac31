import type { ChatAuthorRole } from './entities/chat-message.entity';

export interface TimedMessage {
  role: ChatAuthorRole;
  sentAt: Date;
}

/** Chat metrics computed in code from the message timeline; times in seconds. */
export interface ChatMetrics {
  messages: { total: number; client: number; manager: number; system: number };
  /** From the client's first message to the manager's first reply after it; null without one. */
  firstResponseSec: number | null;
  /** Mean wait of the client's turns (first message of a run of client messages → the next manager message). */
  avgResponseSec: number | null;
  maxResponseSec: number | null;
  /** Client messages that no manager message follows. */
  unansweredClientMessages: number;
  /** From the first message to the last. */
  durationSec: number;
}

export function computeChatMetrics(timeline: TimedMessage[]): ChatMetrics {
  const messages = [...timeline].sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
  const waits = responseWaits(messages);
  const lastManager = messages.map((message) => message.role).lastIndexOf('manager');
  const count = (role: ChatAuthorRole) => messages.filter((message) => message.role === role).length;
  const first = messages[0]?.sentAt.getTime() ?? 0;
  const last = messages[messages.length - 1]?.sentAt.getTime() ?? 0;
  return {
    messages: { total: messages.length, client: count('client'), manager: count('manager'), system: count('system') },
    firstResponseSec: waits[0] ?? null,
    avgResponseSec: waits.length ? round(waits.reduce((sum, wait) => sum + wait, 0) / waits.length) : null,
    maxResponseSec: waits.length ? Math.max(...waits) : null,
    unansweredClientMessages: messages.slice(lastManager + 1).filter((message) => message.role === 'client').length,
    durationSec: round((last - first) / 1000),
  };
}

/** For each client turn that got a reply: seconds from its first message to the reply. System messages are ignored. */
function responseWaits(messages: TimedMessage[]): number[] {
  const waits: number[] = [];
  let waitingSince: number | null = null;
  for (const message of messages) {
    if (message.role === 'client' && waitingSince === null) waitingSince = message.sentAt.getTime();
    if (message.role === 'manager' && waitingSince !== null) {
      waits.push(round((message.sentAt.getTime() - waitingSince) / 1000));
      waitingSince = null;
    }
  }
  return waits;
}

const round = (value: number) => Math.round(value * 10) / 10;

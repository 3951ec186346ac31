import { InitialSchema1764000000000 } from './1764000000000-InitialSchema';
import { TranscriptSearchOrder1764000000001 } from './1764000000001-TranscriptSearchOrder';
import { AnalyticsScores1764300000001 } from './1764300000001-AnalyticsScores';
import { CallDailyRollups1764300000002 } from './1764300000002-CallDailyRollups';
import { WebhookEventRetries1764400000001 } from './1764400000001-WebhookEventRetries';
import { ChannelRoles1764500000001 } from './1764500000001-ChannelRoles';
import { SearchWordForms1764521000000 } from './1764521000000-SearchWordForms';

/** Every migration in order. Listed explicitly so the build and the tests load the same classes. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  TranscriptSearchOrder1764000000001,
  AnalyticsScores1764300000001,
  CallDailyRollups1764300000002,
  WebhookEventRetries1764400000001,
  ChannelRoles1764500000001,
  SearchWordForms1764521000000,
];

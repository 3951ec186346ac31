/** What a CRM timeline comment says about one analysis. */
export interface CommentSubject {
  kind: 'call' | 'chat';
  subjectId: number;
  analysisId: number;
  version: number;
  score: number | null;
  riskLevel: string | null;
  summary: string | null;
  recommendations: string[];
  /** Channel of a chat (telegram, whatsapp…). */
  channel?: string | null;
}

const TOP_RECOMMENDATIONS = 3;
const RISK_LABEL: Record<string, string> = { low: 'low', medium: 'medium', high: 'HIGH' };

/** The marker that finds our comment again on the timeline (after an answer that was lost). */
export function commentMarker(analysisId: number): string {
  return `AI CRM Analytics · analysis #${analysisId}`;
}

/** Plain text with BB-code bold, as `crm.timeline.comment.add` shows it. */
export function formatCrmComment(subject: CommentSubject, frontendUrl: string): string {
  const what = subject.kind === 'call' ? `Call #${subject.subjectId}` : `Chat #${subject.subjectId}${subject.channel ? ` (${subject.channel})` : ''}`;
  const lines = [
    `[b]${what}: AI analysis[/b]`,
    `Score: ${subject.score ?? '—'}/100 · Risk: ${subject.riskLevel ? (RISK_LABEL[subject.riskLevel] ?? subject.riskLevel) : '—'}`,
  ];
  if (subject.summary) lines.push(`Summary: ${bbSafe(subject.summary)}`);
  const top = subject.recommendations.filter((item) => item.trim()).slice(0, TOP_RECOMMENDATIONS);
  if (top.length) lines.push('Recommendations:', ...top.map((item, index) => `${index + 1}. ${bbSafe(item)}`));
  lines.push(`Open: ${frontendUrl}/${subject.kind === 'call' ? 'calls' : 'chats'}/${subject.subjectId}`);
  lines.push(`${commentMarker(subject.analysisId)} (version ${subject.version})`);
  return lines.join('\n');
}

/** Model text must not open BB-code tags of its own. */
function bbSafe(text: string): string {
  return text.replace(/\[/g, '(').replace(/\]/g, ')').trim();
}

/** `crm.timeline.comment.add` entity types: lead, deal, contact, company or dynamic_<typeId> for smart processes. */
export function timelineEntityType(crmEntityType: string | null): string | null {
  const type = (crmEntityType ?? '').trim().toUpperCase();
  if (['LEAD', 'DEAL', 'CONTACT', 'COMPANY'].includes(type)) return type.toLowerCase();
  const dynamic = /^(?:TYPE_|DYNAMIC_)(\d+)$/.exec(type);
  if (dynamic && Number(dynamic[1]) >= 128) return `dynamic_${dynamic[1]}`;
  return null;
}

import { createHash } from 'node:crypto';
import type { ExportConfig } from '../model/export';

/** `<export> · <segment> [<id>]`: the short id is stable per (export, segment) so the name finds it again. */
export function audienceName(
  exportConfig: Pick<ExportConfig, 'id' | 'displayName'>,
  segment: string,
): string {
  const shortId = createHash('sha256').update(`${exportConfig.id}\n${segment}`).digest('hex').slice(0, 8);
  return `${exportConfig.displayName} · ${segment} [${shortId}]`;
}

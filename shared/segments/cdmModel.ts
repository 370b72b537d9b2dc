import path from 'node:path';
import { SegmentSourceError } from './segmentSource';

/** What the reader needs from a CDM folder's model.json. */
export interface CdmEntity {
  entity: string;
  attributes: string[];
  partitions: CdmPartition[];
}

export interface CdmPartition {
  /** Blob name in the segments container the location resolves to. */
  blobName: string;
  location: string;
  delimiter: string;
  /** `fileFormatSettings.columnHeaders`: Customer Insights writes false (no header row). */
  hasHeader: boolean;
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the entity of a CDM folder's model.json (as Customer Insights / Dataverse export to Data
 * Lake write it): attribute names in order and the partition files, whose absolute locations are
 * resolved to blobs of the same container by path (relative locations against the model.json
 * folder).
 */
export function parseCdmModel(
  text: string,
  context: { segment: string; container: string; modelBlobName: string },
): CdmEntity {
  const fail = (detail: string) =>
    new SegmentSourceError(
      'MODEL_JSON_INVALID',
      `Segment '${context.segment}': ${context.modelBlobName} is not a usable CDM model: ${detail}.`,
    );
  let model: unknown;
  try {
    model = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    throw fail('it is not valid JSON');
  }
  if (!isObject(model)) throw fail('it is not a JSON object');
  if (!Array.isArray(model.entities) || model.entities.length === 0) throw fail('it has no "entities"');
  const entities = model.entities.filter(
    (entity): entity is JsonObject =>
      isObject(entity) && (entity.$type === undefined || entity.$type === 'LocalEntity'),
  );
  let entity: JsonObject | undefined = entities.length === 1 ? entities[0] : undefined;
  if (!entity) {
    entity = entities.find(
      (candidate) =>
        typeof candidate.name === 'string' && candidate.name.toLowerCase() === context.segment.toLowerCase(),
    );
  }
  if (!entity) {
    const names = entities.map((candidate) => String(candidate.name)).join(', ');
    throw fail(
      entities.length === 0
        ? 'it has no local entity'
        : `it has ${entities.length} entities (${names}) and none is named after the segment`,
    );
  }
  const entityName = typeof entity.name === 'string' ? entity.name : '(unnamed)';
  if (!Array.isArray(entity.attributes) || entity.attributes.length === 0) {
    throw fail(`entity '${entityName}' has no "attributes"`);
  }
  const attributes = entity.attributes.map((attribute, index) => {
    if (!isObject(attribute) || typeof attribute.name !== 'string' || attribute.name.trim() === '') {
      throw fail(`attribute ${index + 1} of entity '${entityName}' has no name`);
    }
    return attribute.name;
  });
  if (!Array.isArray(entity.partitions)) throw fail(`entity '${entityName}' has no "partitions" list`);
  const modelFolder = path.posix.dirname(context.modelBlobName);
  const partitions = entity.partitions.map((partition, index): CdmPartition => {
    if (!isObject(partition) || typeof partition.location !== 'string' || partition.location.trim() === '') {
      throw fail(`partition ${index + 1} of entity '${entityName}' has no "location"`);
    }
    const settings = isObject(partition.fileFormatSettings) ? partition.fileFormatSettings : {};
    const delimiter =
      typeof settings.delimiter === 'string' && settings.delimiter !== '' ? settings.delimiter : ',';
    if (delimiter.length !== 1 || delimiter.charCodeAt(0) > 0x7f) {
      throw fail(`partition ${index + 1} has an unsupported delimiter ${JSON.stringify(delimiter)}`);
    }
    const blobName = resolveLocation(partition.location.trim(), context.container, modelFolder);
    if (blobName === undefined) {
      throw fail(`partition location '${partition.location}' is not in container '${context.container}'`);
    }
    return { blobName, location: partition.location, delimiter, hasHeader: settings.columnHeaders === true };
  });
  return { entity: entityName, attributes, partitions };
}

/** Blob name of a partition location, or undefined when it points outside the container. */
export function resolveLocation(
  location: string,
  container: string,
  modelFolder: string,
): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    let segments: string[];
    try {
      segments = new URL(location).pathname
        .split('/')
        .filter((segment) => segment !== '')
        .map((segment) => decodeURIComponent(segment));
    } catch {
      return undefined;
    }
    // https://<account>.blob|dfs.core.windows.net/<container>/<path>, or path-style
    // http://127.0.0.1:10000/<account>/<container>/<path> (Azurite).
    const at = segments.slice(0, 2).indexOf(container);
    if (at === -1 || at === segments.length - 1) return undefined;
    return segments.slice(at + 1).join('/');
  }
  const relative = location.replace(/^\.\//, '');
  const joined = path.posix.normalize(
    relative.startsWith('/') ? relative.slice(1) : `${modelFolder}/${relative}`,
  );
  if (joined.startsWith('../') || joined === '..' || joined === '.') return undefined;
  return joined;
}

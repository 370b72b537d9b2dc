import { useEffect, useState } from 'preact/hooks';
import { messagesByField } from '../api/problem';
import type { AdvertiserList, ConnectionView, ExportView, Segment } from '../api/types';
import { useConsole } from '../app/context';
import { Layout, Pending } from '../app/Layout';
import { navigate } from '../app/router';
import { ErrorAlert, FieldError, FormError, SelectField, TextField, type FieldMessages } from '../ui/fields';
import { useLoad } from '../ui/useLoad';
import { AdvertiserField } from './AdvertiserField';
import { AudiencesChoice, type AudiencesMode } from './AudiencesChoice';
import { ConsentFields } from './ConsentFields';
import { DRAFT_FIELDS, draftOf, emptyDraft, requestOf, withoutMessagesOf, type Draft } from './draft';
import { SchedulePicker } from './SchedulePicker';
import { commonFields, likelyEmailField } from './segmentChoice';
import { SegmentPicker } from './SegmentPicker';

/** Add export (also for Create duplicate) and Edit. Saving never runs the export. */
export function ExportForm({ id, duplicateOf }: { id?: string; duplicateOf?: string }) {
  const { api } = useConsole();
  const source = id ?? duplicateOf;
  const loaded = useLoad(async () => {
    const [connections, segments, existing] = await Promise.all([
      api.get<{ connections: ConnectionView[] }>('/connections').then((body) => body.connections),
      api.get<{ segments: Segment[] }>('/segments').then((body) => body.segments),
      source ? api.get<ExportView>(`/exports/${source}`) : Promise.resolve(undefined),
    ]);
    return { connections, segments, existing };
  }, [source]);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  // An edited or duplicated export shows its form only once the draft holds its values.
  const [drafted, setDrafted] = useState(!source);
  const [messages, setMessages] = useState<FieldMessages>(new Map());
  const [busy, setBusy] = useState(false);
  const [audiences, setAudiences] = useState<AudiencesMode>('keep');
  const change = (patch: Partial<Draft>) => {
    setDraft((current) => ({ ...current, ...patch }));
    setMessages((current) => withoutMessagesOf(current, Object.keys(patch)));
  };

  useEffect(() => {
    const existing = loaded.data?.existing;
    if (!existing) return;
    setDraft(draftOf(existing, duplicateOf ? `Copy of ${existing.displayName}` : existing.displayName));
    setDrafted(true);
  }, [loaded.data]);

  const usable = loaded.data?.connections.filter((connection) => connection.status === 'ready') ?? [];
  const targets = useLoad(
    () =>
      draft.connectionId
        ? api.get<AdvertiserList>(`/connections/${draft.connectionId}/advertisers`)
        : Promise.resolve(undefined),
    [draft.connectionId],
  );
  const dropped = id
    ? (loaded.data?.existing?.segments ?? []).filter((s) => !draft.segments.includes(s))
    : [];
  const fields = commonFields(loaded.data?.segments ?? [], draft.segments);
  useEffect(() => {
    if (!fields.includes(draft.emailField))
      change({ emailField: likelyEmailField(fields) ?? fields[0] ?? '' });
  }, [fields.join('\n')]);

  async function save(event: Event) {
    event.preventDefault();
    setBusy(true);
    setMessages(new Map());
    try {
      const saved = id
        ? await api.send<ExportView>(
            'PUT',
            `/exports/${id}${dropped.length > 0 ? `?audiences=${audiences}` : ''}`,
            requestOf(draft),
          )
        : await api.send<ExportView>('POST', '/exports', requestOf(draft));
      navigate(
        dropped.length > 0 && audiences === 'deactivate'
          ? `/exports/${saved.id}/discontinued`
          : `/exports/${saved.id}`,
      );
    } catch (error) {
      setMessages(messagesByField(error, DRAFT_FIELDS));
      setBusy(false);
    }
  }

  const title = id ? 'Edit export' : 'Add export';
  if (!loaded.data || !drafted) return <Pending title={title} section="Exports" error={loaded.error} />;
  return (
    <Layout title={title} section="Exports">
      <form onSubmit={save} noValidate>
        <FormError messages={messages} />
        {usable.length === 0 ? (
          <div class="field">
            <span class="label">Connection for export</span>
            <p class="hint">
              There is no ready connection you may use. An administrator adds one under Connections, signs in
              to RollWorks and adds an export user; contributors can use connections shared with them.
            </p>
            <FieldError id="export-connection" messages={messages} field="connectionId" />
          </div>
        ) : (
          <SelectField
            id="export-connection"
            label="Connection for export"
            field="connectionId"
            value={draft.connectionId}
            messages={messages}
            options={[
              { value: '', label: 'Choose a connection' },
              ...usable.map((connection) => ({ value: connection.id, label: connection.displayName })),
            ]}
            onChange={(connectionId) => change({ connectionId })}
          />
        )}
        <ErrorAlert error={targets.error} />
        <TextField
          id="export-name"
          label="Display name"
          field="displayName"
          value={draft.displayName}
          messages={messages}
          onInput={(displayName) => change({ displayName })}
        />
        <AdvertiserField
          value={draft.advertiserId}
          advertisers={targets.data?.advertisers}
          messages={messages}
          onInput={(advertiserId) => change({ advertiserId })}
        />
        <SegmentPicker
          segments={loaded.data.segments}
          chosen={draft.segments}
          limits={targets.data?.segmentLimits}
          messages={messages}
          onChange={(segments) => change({ segments })}
        />
        {dropped.length > 0 && (
          <AudiencesChoice
            id="dropped-audiences"
            legend={`Audiences of the segments no longer exported (${dropped.join(', ')})`}
            value={audiences}
            onChange={setAudiences}
            messages={messages}
          />
        )}
        <fieldset>
          <legend>Data matching</legend>
          <SelectField
            id="export-email"
            label="Email"
            field="emailField"
            value={draft.emailField}
            messages={messages}
            options={fields.map((field) => ({ value: field, label: field }))}
            onChange={(emailField) => change({ emailField })}
            hint="The field of the chosen segments that holds the email address."
          />
          <label class="choice">
            <input
              type="checkbox"
              checked={draft.hashEmails}
              onChange={(event) => change({ hashEmails: event.currentTarget.checked })}
            />
            Hash emails (MD5)
          </label>
        </fieldset>
        <ConsentFields draft={draft} fields={fields} change={change} messages={messages} />
        <SchedulePicker draft={draft} change={change} messages={messages} />
        <p class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Save
          </button>
          <button type="button" onClick={() => history.back()}>
            Back
          </button>
        </p>
      </form>
    </Layout>
  );
}

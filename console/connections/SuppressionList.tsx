import { useState } from 'preact/hooks';
import type { SuppressionList as ListSummary, SuppressionUpload } from '../api/types';
import { useConsole } from '../app/context';
import { ErrorAlert, TextField } from '../ui/fields';
import { count, when } from '../ui/format';
import { useAction } from '../ui/useAction';
import { useLoad } from '../ui/useLoad';

const REJECTIONS_SHOWN = 5;

/** The connection's suppression list: emails or MD5 digests that never reach RollWorks. */
export function SuppressionList({ connectionId }: { connectionId: string }) {
  const { api } = useConsole();
  const path = `/connections/${connectionId}/suppressions`;
  const list = useLoad(() => api.get<ListSummary>(path), [path]);
  const [file, setFile] = useState<File>();
  const [column, setColumn] = useState('');
  const [result, setResult] = useState<SuppressionUpload>();
  const { error, busy, run } = useAction();

  const upload = () =>
    run(async () => {
      if (!file) throw new Error('Choose a file first.');
      const csv = /\.csv$/i.test(file.name) || file.type === 'text/csv';
      const query = csv && column.trim() ? `?column=${encodeURIComponent(column.trim())}` : '';
      setResult(
        await api.upload<SuppressionUpload>('PUT', path + query, file, csv ? 'text/csv' : 'text/plain'),
      );
      await list.reload();
    });
  const clear = () =>
    run(async () => {
      await api.send('DELETE', path);
      setResult(undefined);
      await list.reload();
    });

  return (
    <section class="suppressions" aria-labelledby="suppressions-heading">
      <h2 id="suppressions-heading">Suppression list</h2>
      <p class="hint">
        Emails (or their MD5 digests) on this list are never sent to RollWorks by any export of this
        connection, whatever segment they are in; those already sent leave the audience at the next run. Only
        digests are stored.
      </p>
      <ErrorAlert error={list.error ?? error} />
      {list.data && (
        <p role="status">
          {list.data.count === 0
            ? 'The list is empty.'
            : `${count(list.data.count)} suppressed, updated ${when(list.data.updatedAt)}${
                list.data.updatedBy ? ` by ${list.data.updatedBy.name}` : ''
              }.`}
        </p>
      )}
      <div class="field">
        <label for="suppression-file">Suppression list file</label>
        <input
          id="suppression-file"
          type="file"
          accept=".txt,.csv,text/plain,text/csv"
          onChange={(event) => setFile(event.currentTarget.files?.[0])}
        />
        <p class="hint">One email or MD5 digest per line, or a CSV file. Uploading replaces the list.</p>
      </div>
      <TextField
        id="suppression-column"
        label="CSV column"
        field="column"
        value={column}
        messages={new Map()}
        onInput={setColumn}
        hint="For a CSV file with several columns: the column that holds the email."
      />
      <p class="actions">
        <button type="button" disabled={busy || !file} onClick={() => void upload()}>
          Upload list
        </button>
        {list.data && list.data.count > 0 && (
          <button type="button" class="danger" disabled={busy} onClick={() => void clear()}>
            Clear list
          </button>
        )}
      </p>
      {result && (
        <div role="status" class="upload-result">
          <p>
            {count(result.accepted)} accepted, {count(result.duplicates)} duplicates, {count(result.rejected)}{' '}
            rejected.
          </p>
          {result.rejections.length > 0 && (
            <ul>
              {result.rejections.slice(0, REJECTIONS_SHOWN).map((rejection) => (
                <li key={rejection.line}>
                  Line {rejection.line}: {rejection.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

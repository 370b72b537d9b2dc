import type { Discontinued } from '../api/types';
import { useConsole } from '../app/context';
import { Layout, Pending } from '../app/Layout';
import { Link } from '../app/Link';
import { DataTable } from '../ui/DataTable';
import { statusText, when } from '../ui/format';
import { useLoad } from '../ui/useLoad';

const POLL_MS = 2000;

/** What became of the audiences of a removed export or of segments dropped from one; live while any is pending. */
export function DiscontinuedPage({ id }: { id: string }) {
  const { api } = useConsole();
  const loaded = useLoad(
    () => api.get<Discontinued>(`/exports/${id}/discontinued`),
    [id],
    (data) => (data.audiences.some((audience) => audience.status === 'pending') ? POLL_MS : 0),
  );
  const title = 'Removed audiences';
  if (!loaded.data) return <Pending title={title} section="Exports" error={loaded.error} />;
  const { audiences, exportExists } = loaded.data;
  return (
    <Layout title={title} section="Exports">
      <p>
        {exportExists ? (
          <Link to={`/exports/${id}`}>Back to the export</Link>
        ) : (
          'The export was removed; nothing of it is sent again.'
        )}
      </p>
      {audiences.length === 0 ? (
        <p>No audience was removed from this export.</p>
      ) : (
        <DataTable
          caption="Audiences of removed segments"
          columns={['Segment', 'Audience', 'Status', 'Details']}
        >
          {audiences.map((audience) => (
            <tr key={`${audience.segment} ${audience.requestedAt}`}>
              <td>{audience.segment}</td>
              <td>{audience.audience?.name ?? 'None'}</td>
              <td>
                <span class={`status status-${audience.status}`}>{statusText(audience.status)}</span>
              </td>
              <td>
                {audience.error?.message ??
                  (audience.resumesAt
                    ? `Waiting for the daily RollWorks request budget: resumes at ${when(audience.resumesAt)}.`
                    : `Requested ${when(audience.requestedAt)}${audience.requestedBy ? ` by ${audience.requestedBy.name}` : ''}.`)}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </Layout>
  );
}

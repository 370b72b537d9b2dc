import type { ConnectionView } from '../api/types';
import { useConsole } from '../app/context';
import { Layout } from '../app/Layout';
import { Link } from '../app/Link';
import { ErrorAlert, Loading } from '../ui/fields';
import { when } from '../ui/format';
import { DataTable } from '../ui/DataTable';
import { useLoad } from '../ui/useLoad';
import { STATUS_TEXT, accessText } from './connectionText';

export function ConnectionsPage() {
  const { api, can } = useConsole();
  const { data, error } = useLoad(
    () => api.get<{ connections: ConnectionView[] }>('/connections').then((body) => body.connections),
    [],
  );
  return (
    <Layout title="Connections" section="Connections">
      {can.manageConnections && (
        <p class="actions">
          <Link to="/connections/new" class="button primary">
            Add connection
          </Link>
        </p>
      )}
      <ErrorAlert error={error} />
      {!data && !error && <Loading />}
      {data?.length === 0 && (
        <p>
          {can.manageConnections ? 'No connections yet.' : 'No connection is shared with contributors yet.'}
        </p>
      )}
      {data && data.length > 0 && (
        <DataTable
          caption="RollWorks connections"
          columns={[
            'Display name',
            'Type',
            'Who can use it',
            'Status',
            'Created',
            ...(can.manageConnections ? ['Actions'] : []),
          ]}
        >
          {data.map((connection) => (
            <tr key={connection.id}>
              <td>{connection.displayName}</td>
              <td>RollWorks</td>
              <td>{accessText(connection)}</td>
              <td>
                <span class={`status status-${connection.status}`}>{STATUS_TEXT[connection.status]}</span>
                {can.manageConnections && connection.status === 'reauthorizationRequired' && (
                  <>
                    {' '}
                    <Link to={`/connections/${connection.id}`}>Sign in again</Link>
                  </>
                )}
              </td>
              <td>{when(connection.createdAt)}</td>
              {can.manageConnections && (
                <td class="row-actions">
                  <Link to={`/connections/${connection.id}`}>Edit</Link>
                  <Link to={`/connections/${connection.id}/remove`}>Remove</Link>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
    </Layout>
  );
}

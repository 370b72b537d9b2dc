import type { TokenCredential } from '@azure/identity';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { QueueClient } from '@azure/storage-queue';
import type { TableClient } from '@azure/data-tables';
import type { AppConfig } from '../config/config';
import { azureCredential } from '../azureCredential';

/**
 * Lazily created clients for the app's own storage account (state tables, queues, state blobs) and
 * the segments blob endpoint. Locally a connection string (Azurite); in Azure the managed identity.
 */
export interface StorageClients {
  table(name: string): TableClient;
  queue(name: string): QueueClient;
  blobService(): BlobServiceClient;
  stateContainer(): ContainerClient;
  segmentsContainer(): ContainerClient;
}

export function createStorageClients(config: AppConfig): StorageClients {
  const tables = new Map<string, TableClient>();
  const queues = new Map<string, QueueClient>();
  let blobService: BlobServiceClient | undefined;
  let segmentsService: BlobServiceClient | undefined;
  const connectionString = config.AzureWebJobsStorage;
  const credential = (): TokenCredential =>
    azureCredential(config.AzureWebJobsStorage__clientId ?? config.AZURE_CLIENT_ID);
  const allowHttp = connectionString
    ? /127\.0\.0\.1|localhost|UseDevelopmentStorage/i.test(connectionString)
    : false;

  const api = {
    table(name: string): TableClient {
      let client = tables.get(name);
      if (!client) {
        const { TableClient } = require('@azure/data-tables') as typeof import('@azure/data-tables');
        client = connectionString
          ? TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: allowHttp })
          : new TableClient(config.AzureWebJobsStorage__tableServiceUri!, name, credential());
        tables.set(name, client);
      }
      return client;
    },
    queue(name: string): QueueClient {
      let client = queues.get(name);
      if (!client) {
        const { QueueClient } = require('@azure/storage-queue') as typeof import('@azure/storage-queue');
        client = connectionString
          ? new QueueClient(connectionString, name)
          : new QueueClient(`${config.AzureWebJobsStorage__queueServiceUri}/${name}`, credential());
        queues.set(name, client);
      }
      return client;
    },
    blobService(): BlobServiceClient {
      if (!blobService) {
        const { BlobServiceClient } = require('@azure/storage-blob') as typeof import('@azure/storage-blob');
        blobService = connectionString
          ? BlobServiceClient.fromConnectionString(connectionString)
          : new BlobServiceClient(config.AzureWebJobsStorage__blobServiceUri!, credential());
      }
      return blobService;
    },
    stateContainer(): ContainerClient {
      return api.blobService().getContainerClient(config.STATE_CONTAINER);
    },
    segmentsContainer(): ContainerClient {
      if (!segmentsService) {
        if (!config.SEGMENTS_BLOB_ENDPOINT) {
          segmentsService = api.blobService();
        } else {
          const { BlobServiceClient } =
            require('@azure/storage-blob') as typeof import('@azure/storage-blob');
          const endpointAccount = accountFromConnectionString(connectionString);
          segmentsService =
            connectionString &&
            endpointAccount &&
            config.SEGMENTS_BLOB_ENDPOINT.includes(endpointAccount.host)
              ? BlobServiceClient.fromConnectionString(
                  connectionString.replace(
                    /BlobEndpoint=[^;]*/i,
                    `BlobEndpoint=${config.SEGMENTS_BLOB_ENDPOINT}`,
                  ),
                )
              : new BlobServiceClient(config.SEGMENTS_BLOB_ENDPOINT, credential());
        }
      }
      return segmentsService.getContainerClient(config.SEGMENTS_CONTAINER);
    },
  };
  return api;
}

function accountFromConnectionString(connectionString?: string): { host: string } | undefined {
  const match = connectionString?.match(/BlobEndpoint=https?:\/\/([^/;]+)/i);
  return match ? { host: match[1] } : undefined;
}

/** Azurite's well-known development account, for local connection strings. */
export const AZURITE_ACCOUNT = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
};

export function azuriteConnectionString(
  ports: { blob: number; queue: number; table: number },
  host = '127.0.0.1',
): string {
  const base = `http://${host}`;
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT.name}`,
    `AccountKey=${AZURITE_ACCOUNT.key}`,
    `BlobEndpoint=${base}:${ports.blob}/${AZURITE_ACCOUNT.name}`,
    `QueueEndpoint=${base}:${ports.queue}/${AZURITE_ACCOUNT.name}`,
    `TableEndpoint=${base}:${ports.table}/${AZURITE_ACCOUNT.name}`,
  ].join(';');
}

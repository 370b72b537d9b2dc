import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ConfigError } from '../config/config';
import { getServices } from '../services';
import { contextLogger } from '../logging/logger';
import { consoleAsset, consoleManifest } from './consoleAssets';
import { NOT_BUILT_PAGE, renderConsolePage } from './consolePage';
import { consoleSignIn } from './consoleSignIn';
import type { ConsoleSignIn } from './signInSettings';
import { ASSET_CACHE, PAGE_CACHE, securityHeaders } from './securityHeaders';

const HTML = 'text/html; charset=utf-8';

function signInFromSettings(): ConsoleSignIn {
  try {
    return consoleSignIn(getServices().config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      mode: 'unavailable',
      message: 'The app settings are invalid; the service operator can see which in the logs.',
    };
  }
}

/** GET /api/console/{*path}: a hashed asset under assets/, or else the page (which routes itself). */
export async function serveConsole(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  try {
    const signIn = signInFromSettings();
    const headers = securityHeaders(signIn);
    const path = request.params.path ?? '';
    if (path.startsWith('assets/')) {
      const asset = consoleAsset(path.slice('assets/'.length));
      if (!asset)
        return { status: 404, headers: { ...headers, 'Content-Type': 'text/plain' }, body: 'Not found' };
      return {
        status: 200,
        headers: { ...headers, 'Content-Type': asset.contentType, 'Cache-Control': ASSET_CACHE },
        body: asset.body,
      };
    }
    const manifest = consoleManifest();
    return {
      status: manifest ? 200 : 503,
      headers: { ...headers, 'Content-Type': HTML, 'Cache-Control': PAGE_CACHE },
      body: manifest ? renderConsolePage(manifest, signIn) : NOT_BUILT_PAGE,
    };
  } catch (error) {
    contextLogger(context).error('console request failed', {
      error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown',
    });
    return {
      status: 500,
      headers: { 'Content-Type': 'text/plain' },
      body: 'The console failed to load; try again.',
    };
  }
}

import { refusedInAzure, type AppConfig } from '../config/config';

/**
 * The local token issuer and the local secret store exist for the embedded stack only. In Azure the
 * app refuses to start with either switched on, rather than accept self-signed tokens or keep
 * RollWorks tokens outside Key Vault.
 */
export function assertLocalModesAllowed(config: AppConfig): void {
  const local = [
    config.AUTH_MODE === 'local' ? 'AUTH_MODE=local' : undefined,
    config.SECRET_STORE === 'local' ? 'SECRET_STORE=local' : undefined,
  ].filter((mode): mode is string => mode !== undefined);
  if (local.length === 0) return;
  const refusal = refusedInAzure(
    config,
    `${local.join(' and ')} ${local.length > 1 ? 'are' : 'is'}`,
    'Use AUTH_MODE=entra and SECRET_STORE=keyVault.',
  );
  if (refusal) throw new Error(refusal);
}

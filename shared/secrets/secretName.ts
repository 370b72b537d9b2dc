/** Key Vault's rule for secret names; both stores enforce it so a name that works locally works in Azure. */
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

export function assertSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new Error(
      `Invalid secret name "${name}": use 1-127 letters, digits and hyphens (Key Vault's rule).`,
    );
  }
}

#!/usr/bin/env bash
# Compiles and lints the Bicep templates with zero warnings.
# Restores the Bicep CLI from NuGet (Azure.Bicep.CommandLine.linux-x64) into .tools/bicep on first use.
set -euo pipefail
cd "$(dirname "$0")/../.."

BICEP_VERSION="${BICEP_VERSION:-0.49.2}"
TOOLS=.tools/bicep
BICEP="$TOOLS/packages/azure.bicep.commandline.linux-x64/$BICEP_VERSION/tools/bicep"
OUT=.tools/arm
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

restore_bicep() {
  command -v dotnet >/dev/null || { echo "infra:check: dotnet SDK not found (needed to restore the Bicep CLI)" >&2; exit 1; }
  local sdk_major
  sdk_major="$(dotnet --version | cut -d. -f1)"
  mkdir -p "$TOOLS/restore"
  # A throwaway project whose only job is to download the Bicep CLI package.
  cat >"$TOOLS/restore/restore.csproj" <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net${sdk_major}.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Azure.Bicep.CommandLine.linux-x64" Version="[$BICEP_VERSION]" />
  </ItemGroup>
</Project>
CSPROJ
  echo "infra:check: restoring Bicep CLI $BICEP_VERSION from NuGet"
  dotnet restore "$TOOLS/restore/restore.csproj" --packages "$TOOLS/packages" --nologo -v quiet
  [ -f "$BICEP" ] || { echo "infra:check: bicep executable not found at $BICEP after restore" >&2; exit 1; }
}

[ -x "$BICEP" ] || { [ -f "$BICEP" ] || restore_bicep; chmod +x "$BICEP"; }
echo "infra:check: $("$BICEP" --version)"

mkdir -p "$OUT"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

run() {
  # Bicep prints diagnostics on stderr; any "Warning" or "Error" line fails the check.
  if ! "$BICEP" "$@" 2>>"$log"; then
    awk '!seen[$0]++' "$log" >&2
    echo "infra:check: bicep $1 failed" >&2
    exit 1
  fi
}

run build infra/main.bicep --outfile "$OUT/main.json"
run build-params infra/main.bicepparam --outfile "$OUT/main.parameters.json"
run lint --pattern 'infra/**/*.bicep'

if grep -Eq ': (Warning|Error) ' "$log"; then
  awk '!seen[$0]++' "$log" >&2
  echo "infra:check: bicep reported warnings; fix them (zero warnings allowed)" >&2
  exit 1
fi
echo "infra:check: OK ($OUT/main.json, $OUT/main.parameters.json)"

# TagihLite uninstaller for one Windows user: removes what install.ps1 added to the PC,
# i.e. the venv, the Excel Trusted Location and the desktop shortcut.
# Never the clerk's workbooks (Documents\TagihLite) nor the journal, users, settings and
# logs in %LOCALAPPDATA%\TagihLite: they are the record of what was sent.
# Run: right-click > Run with PowerShell, or
#   powershell -NoProfile -ExecutionPolicy Bypass -File uninstall.ps1

$ErrorActionPreference = 'Stop'

$AppDir = Join-Path $env:LOCALAPPDATA 'TagihLite'
$Venv = Join-Path $AppDir 'venv'
$TrustKey = 'HKCU:\Software\Microsoft\Office\16.0\Excel\Security\Trusted Locations\TagihLite'
$Shortcut = Join-Path ([Environment]::GetFolderPath('Desktop')) 'TagihLite.lnk'
$Target = Join-Path ([Environment]::GetFolderPath('MyDocuments')) 'TagihLite'

if (Test-Path -LiteralPath $Venv) {
    Remove-Item -LiteralPath $Venv -Recurse -Force
    Write-Host "Dihapus: $Venv"
}
if (Test-Path -Path $TrustKey) {
    Remove-Item -Path $TrustKey -Recurse -Force
    Write-Host 'Dihapus: Trusted Location TagihLite di Excel'
}
if (Test-Path -LiteralPath $Shortcut) {
    Remove-Item -LiteralPath $Shortcut -Force
    Write-Host "Dihapus: $Shortcut"
}
Write-Host ''
Write-Host "Tidak dihapus: buku kerja di $Target dan jurnal pengiriman di $AppDir."

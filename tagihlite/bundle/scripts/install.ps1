# TagihLite offline installer for one Windows user (no administrator rights needed).
# Double-click install.cmd next to this file; it runs this script.
#
# Steps: find Python 3.11/3.12 (64-bit, not the Microsoft Store alias), create the venv in
# %LOCALAPPDATA%\TagihLite\venv, install TagihLite from .\wheels with --no-index, run
# `tagihlite setup-excel` into Documents\TagihLite, register that folder as an Excel Trusted
# Location (HKCU), Unblock-File the workbook, create a desktop shortcut, run `tagihlite doctor`.
# Text for the clerk is Indonesian.

$ErrorActionPreference = 'Stop'

$Kit = $PSScriptRoot
$Wheels = Join-Path $Kit 'wheels'
$AppDir = Join-Path $env:LOCALAPPDATA 'TagihLite'
$Venv = Join-Path $AppDir 'venv'
$VenvPython = Join-Path $Venv 'Scripts\python.exe'
$TagihLite = Join-Path $Venv 'Scripts\tagihlite.exe'
$Target = Join-Path ([Environment]::GetFolderPath('MyDocuments')) 'TagihLite'
$Workbook = Join-Path $Target 'tagihlite.xlsm'
$TrustKey = 'HKCU:\Software\Microsoft\Office\16.0\Excel\Security\Trusted Locations\TagihLite'
$Shortcut = Join-Path ([Environment]::GetFolderPath('Desktop')) 'TagihLite.lnk'
$PythonUrl = 'https://www.python.org/downloads/windows/'
$Supported = @('3.12', '3.11')  # the versions the wheels in this kit are for

function Step([string]$Text) {
    Write-Host ''
    Write-Host "==> $Text" -ForegroundColor Cyan
}

function Fail([string]$Message) {
    Write-Host ''
    Write-Host "GAGAL: $Message" -ForegroundColor Red
    exit 1
}

function Test-StoreAlias([string]$Path) {
    # The Microsoft Store "python.exe" is an App Execution Alias under ...\WindowsApps: it
    # opens the Store instead of running Python when Excel starts it.
    return $Path -like '*\WindowsApps\*'
}

function Find-Python {
    # Native commands' stderr must not stop the script here (Windows PowerShell 5.1 turns
    # redirected stderr into errors): a missing version is simply not a candidate.
    $ErrorActionPreference = 'Continue'
    $candidates = New-Object System.Collections.Generic.List[string]
    # 1. The py launcher that python.org installers add.
    $py = Get-Command py.exe -ErrorAction SilentlyContinue
    if ($py -and -not (Test-StoreAlias $py.Source)) {
        foreach ($version in $Supported) {
            $exe = & $py.Source "-$version" -c 'import sys; print(sys.executable)' 2>$null
            if ($LASTEXITCODE -eq 0 -and $exe) { $candidates.Add("$exe".Trim()) }
        }
    }
    # 2. The registry (PEP 514): HKCU for "just me" installs, HKLM for "all users".
    foreach ($hive in @('HKCU:', 'HKLM:')) {
        foreach ($version in $Supported) {
            $item = Get-ItemProperty -Path "$hive\Software\Python\PythonCore\$version\InstallPath" -ErrorAction SilentlyContinue
            if (-not $item) { continue }
            $exe = $item.PSObject.Properties['ExecutablePath']
            if ($exe) { $candidates.Add([string]$exe.Value) }
            else { $candidates.Add((Join-Path ([string]$item.'(default)') 'python.exe')) }
        }
    }
    foreach ($exe in $candidates) {
        if (Test-StoreAlias $exe) { continue }
        if (-not (Test-Path -LiteralPath $exe -PathType Leaf)) { continue }
        # "3 12 True": version, and whether it is 64-bit (the wheels here are win_amd64)
        $info = & $exe -c 'import sys; print(*sys.version_info[:2], sys.maxsize > 2**32)' 2>$null
        if ($LASTEXITCODE -ne 0 -or -not $info) { continue }
        $parts = "$info".Trim().Split(' ')
        if (($Supported -contains ($parts[0] + '.' + $parts[1])) -and $parts[2] -eq 'True') { return $exe }
    }
    return $null
}

function Invoke-Checked([string]$What, [scriptblock]$Command) {
    $ErrorActionPreference = 'Continue'  # pip's warnings on stderr are not failures
    & $Command
    if ($LASTEXITCODE -ne 0) { Fail "$What gagal (kode $LASTEXITCODE). Baca pesan di atas." }
}

Write-Host 'Pemasangan TagihLite untuk pengguna ini (tanpa hak administrator).'
if (-not (Test-Path -LiteralPath $Wheels -PathType Container)) {
    Fail "Folder 'wheels' tidak ada di $Kit. Salin seluruh folder paket instalasi, bukan hanya install.cmd."
}

Step 'Mencari Python 3.11 atau 3.12 (64-bit)'
$Python = Find-Python
if (-not $Python) {
    $alias = Get-Command python.exe -ErrorAction SilentlyContinue
    if ($alias -and (Test-StoreAlias $alias.Source)) {
        Fail ("'python' di komputer ini hanya pintasan Microsoft Store, yang tidak bisa dipakai Excel. " +
              "Unduh 'Windows installer (64-bit)' Python 3.12 dari $PythonUrl, pasang, lalu klik dua kali install.cmd lagi.")
    }
    Fail ("Python 3.11 atau 3.12 (64-bit) tidak ditemukan. Unduh 'Windows installer (64-bit)' Python 3.12 " +
          "dari $PythonUrl, pasang (biarkan 'py launcher' tercentang), lalu klik dua kali install.cmd lagi.")
}
Write-Host "Python: $Python"

Step "Membuat lingkungan Python di $Venv"
New-Item -ItemType Directory -Force -Path $AppDir | Out-Null
if (Test-Path -LiteralPath $Venv) {  # ours only: a reinstall starts from a clean venv
    try { Remove-Item -LiteralPath $Venv -Recurse -Force }
    catch { Fail "Venv lama tidak bisa dihapus (sedang dipakai). Tutup Excel lalu klik dua kali install.cmd lagi." }
}
Invoke-Checked 'Membuat venv' { & $Python -m venv $Venv }

Step 'Memasang TagihLite dari folder wheels (tanpa internet)'
Invoke-Checked 'Pemasangan paket' {
    & $VenvPython -m pip install --disable-pip-version-check --no-index --find-links $Wheels tagihlite
}

Step "Menyiapkan buku kerja di $Target"
New-Item -ItemType Directory -Force -Path $Target | Out-Null
if (-not (Test-Path -LiteralPath $Workbook)) {
    Copy-Item -LiteralPath (Join-Path $Kit 'tagihlite.xlsm') -Destination $Workbook
}
Invoke-Checked 'setup-excel' { & $TagihLite setup-excel $Target }

Step 'Mendaftarkan folder sebagai Trusted Location Excel (HKCU)'
New-Item -Path $TrustKey -Force | Out-Null
New-ItemProperty -Path $TrustKey -Name 'Path' -Value ($Target.TrimEnd('\') + '\') -PropertyType String -Force | Out-Null
New-ItemProperty -Path $TrustKey -Name 'AllowSubfolders' -Value 0 -PropertyType DWord -Force | Out-Null
New-ItemProperty -Path $TrustKey -Name 'Description' -Value 'TagihLite' -PropertyType String -Force | Out-Null
New-ItemProperty -Path $TrustKey -Name 'Date' -Value (Get-Date -Format 'yyyy-MM-dd HH:mm') -PropertyType String -Force | Out-Null

Step 'Menghapus tanda unduhan (Unblock-File)'
Unblock-File -LiteralPath $Workbook
Unblock-File -LiteralPath (Join-Path $Target 'xlwings.conf')

Step 'Membuat pintasan di desktop'
$shell = New-Object -ComObject WScript.Shell
$link = $shell.CreateShortcut($Shortcut)
$link.TargetPath = $Workbook
$link.WorkingDirectory = $Target
$link.Description = 'TagihLite: pengingat tagihan lewat WhatsApp'
$link.Save()
Copy-Item -LiteralPath (Join-Path $Kit 'uninstall.ps1') -Destination (Join-Path $AppDir 'uninstall.ps1') -Force

Step 'Memeriksa instalasi (tagihlite doctor)'
$ErrorActionPreference = 'Continue'
& $TagihLite doctor --workbook $Workbook
$doctor = $LASTEXITCODE
Write-Host ''
if ($doctor -eq 0) {
    Write-Host 'Selesai. Buka TagihLite dari pintasan di desktop.' -ForegroundColor Green
} else {
    Write-Host 'Terpasang, tetapi ada butir yang perlu diperbaiki (lihat di atas).' -ForegroundColor Yellow
}
exit $doctor

@echo off
rem TagihLite: double-click to install for this Windows user (no administrator rights needed).
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0install.ps1" %*
set TAGIHLITE_EXIT=%ERRORLEVEL%
echo.
pause
exit /b %TAGIHLITE_EXIT%

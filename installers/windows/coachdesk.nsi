; CoachDesk's Windows installer (NSIS 3). Per user: it needs no administrator rights, installs
; into %LOCALAPPDATA%\Programs\CoachDesk, adds a Start menu shortcut and an entry in "Apps" /
; "Add or remove programs" for this user only. Its uninstaller removes the program and leaves the
; vault and the log alone: they live in %LOCALAPPDATA%\CoachDesk (paths.py), never in the program's
; folder, and the directory page refuses a folder that would hold them.
;
; Build the bundle first (installers\coachdesk.spec), then, from the repository's root:
;
;   makensis /DVERSION=0.1.0 /DWINDOWS_VERSION=0.1.0.0 installers\windows\coachdesk.nsi
;
; `python installers\buildinfo.py version` and `… windows-version` print the two values; the CI
; workflow (.github/workflows/installers.yml) passes them. The build stops when CoachDesk.exe
; in the bundle carries another version. Output: dist\CoachDesk-<version>-windows-x64-setup.exe.
;
; Silent use (IT teams): `CoachDesk-…-setup.exe /S` installs for the user running it (`/D=FOLDER`,
; last on the line, chooses the folder); `"%LOCALAPPDATA%\Programs\CoachDesk\uninstall.exe" /S`
; removes it. Running a newer installer over an older one upgrades in place.

Unicode true
ManifestDPIAware true
RequestExecutionLevel user

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "x64.nsh"

!ifndef VERSION
  !error "Give the version: makensis /DVERSION=<python installers\buildinfo.py version> /DWINDOWS_VERSION=<… windows-version> installers\windows\coachdesk.nsi"
!endif
!ifndef WINDOWS_VERSION
  !error "Give the Windows version too: /DWINDOWS_VERSION=<python installers\buildinfo.py windows-version>"
!endif
; Paths read while compiling are relative to this file (makensis works in the script's folder)
; and use "/", which Windows and the Linux build of NSIS both accept.
!define ROOT "../.."
!ifndef BUNDLE
  !define BUNDLE "${ROOT}/dist/CoachDesk"  ; the PyInstaller one-folder bundle
!endif
!ifndef OUTDIR
  !define OUTDIR "${ROOT}/dist"
!endif
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\CoachDesk"

; The bundle must be the build of this version (its version resource comes from the spec).
!getdllversion "${BUNDLE}/CoachDesk.exe" BUILT_
!if "${BUILT_1}.${BUILT_2}.${BUILT_3}.${BUILT_4}" != "${WINDOWS_VERSION}"
  !error "${BUNDLE}/CoachDesk.exe is version ${BUILT_1}.${BUILT_2}.${BUILT_3}.${BUILT_4}, not ${WINDOWS_VERSION}: rebuild the bundle."
!endif

Name "CoachDesk"
OutFile "${OUTDIR}/CoachDesk-${VERSION}-windows-x64-setup.exe"
InstallDir "$LOCALAPPDATA\Programs\CoachDesk"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
SetCompressor /SOLID lzma
BrandingText "CoachDesk ${VERSION}"
ShowInstDetails nevershow
ShowUninstDetails nevershow

!define MUI_ICON "${ROOT}/coachdesk/resources/icons/coachdesk.ico"
!define MUI_UNICON "${ROOT}/coachdesk/resources/icons/coachdesk.ico"
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TEXT "This installs CoachDesk ${VERSION} for you alone; it needs no administrator rights.$\r$\n$\r$\nIf CoachDesk is open, close it first. An older CoachDesk is upgraded in place; your vault is kept as it is."
!define MUI_FINISHPAGE_RUN "$INSTDIR\CoachDesk.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Open CoachDesk"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; The installer's own version information (Properties > Details).
VIProductVersion "${WINDOWS_VERSION}"
VIFileVersion "${WINDOWS_VERSION}"
VIAddVersionKey "ProductName" "CoachDesk"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "CoachDesk ${VERSION} installer"
VIAddVersionKey "CompanyName" "CoachDesk"
VIAddVersionKey "LegalCopyright" "MIT licence"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "CoachDesk needs 64-bit Windows 10 or later."
    Abort
  ${EndIf}
FunctionEnd

; $0 inside $1 (or the same folder)? Sets $2 to 1 or 0. Windows paths compare without case.
!macro IsInside inner outer
  StrCpy $2 0
  StrLen $3 "${outer}"
  StrCpy $4 "${inner}" $3
  ${If} $4 == "${outer}"
    StrCpy $4 "${inner}" 1 $3
    ${If} $4 == ""
    ${OrIf} $4 == "\"
      StrCpy $2 1
    ${EndIf}
  ${EndIf}
!macroend

; The vault and the log live in $LOCALAPPDATA\CoachDesk: refuse a program folder inside it, or one
; that holds it (an upgrade or the uninstaller would then sit on top of the coach's data).
Function .onVerifyInstDir
  !insertmacro IsInside "$INSTDIR" "$LOCALAPPDATA\CoachDesk"
  ${If} $2 = 1
    Abort
  ${EndIf}
  !insertmacro IsInside "$LOCALAPPDATA\CoachDesk" "$INSTDIR"
  ${If} $2 = 1
    Abort
  ${EndIf}
FunctionEnd

Section "CoachDesk" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; An upgrade replaces the program whole: the previous version's libraries go first.
  RMDir /r "$INSTDIR\_internal"
  File "${BUNDLE}/CoachDesk.exe"
  File "${BUNDLE}/coachdesk-cli.exe"
  File /r "${BUNDLE}/_internal"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\CoachDesk.lnk" "$INSTDIR\CoachDesk.exe" "" "$INSTDIR\CoachDesk.exe" 0 \
    SW_SHOWNORMAL "" "The employment coach's encrypted caseload"

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "CoachDesk"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "CoachDesk"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\CoachDesk.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  ; Only what the installer put here. The vault and the log ($LOCALAPPDATA\CoachDesk) are the
  ; coach's, not the program's: they stay.
  Delete "$SMPROGRAMS\CoachDesk.lnk"
  Delete "$INSTDIR\CoachDesk.exe"
  Delete "$INSTDIR\coachdesk-cli.exe"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  ${IfNot} ${Silent}
    MessageBox MB_OK|MB_ICONINFORMATION "CoachDesk has been removed.$\r$\n$\r$\nYour vault has not: it stays in $LOCALAPPDATA\CoachDesk\vault, readable only with your passphrase or recovery key. Installing CoachDesk again opens it as before."
  ${EndIf}
SectionEnd

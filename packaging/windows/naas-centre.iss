; Inno Setup 6 script: a Windows installer for the one-folder bundle.
;
; Build the bundle on Windows first (packaging\build, or PyInstaller with
; packaging\naas-centre.spec), then:
;   iscc packaging\windows\naas-centre.iss
; The version below is kept equal to naas_centre.__version__ by packaging/version.py
; (a test holds them together); a release build may also pass /DAppVersion=X.Y.Z.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "naas-centre"
#define AppExe "naas-centre.exe"
#define Bundle "..\dist\naas-centre"

[Setup]
; A fixed id: upgrades replace the installed version instead of installing beside it.
AppId={{7C4E2B1A-5D3F-4E8B-9A61-2F0C8D4B6E15}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The naas-centre contributors
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
OutputDir=..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile=..\icons\naas-centre.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Per-machine by default (centre workstations are shared); a user may install for themselves.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The smoke test's hook is removed after the build's test; never shipped if one is left.
Source: "{#Bundle}\*"; DestDir: "{app}"; Excludes: "naas-centre-smoke.exe"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{#AppName} demo centre"; Filename: "{app}\{#AppExe}"; Parameters: "--demo"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Centre data lives in the user's data folder and is never removed by uninstalling.
Type: filesandordirs; Name: "{app}\_internal"

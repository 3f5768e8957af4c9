# Chạy «sangkien run» trên Windows; Task Scheduler gọi tệp này (xem sangkien-task.xml).
# Mật khẩu SMTP: đặt biến môi trường người dùng SANGKIEN_SMTP_PASSWORD (không ghi vào tệp).
$ErrorActionPreference = "Stop"
$Project = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
Set-Location $Project
New-Item -ItemType Directory -Force -Path "$Project\out" | Out-Null
& "$Project\.venv\Scripts\sangkien.exe" run --config "$Project\config\sync.toml" *>> "$Project\out\task.log"
$code = $LASTEXITCODE
# 3 = một phần, 4 = lần chạy khác đang giữ khoá: không coi là lỗi của tác vụ.
if ($code -eq 3 -or $code -eq 4) { exit 0 }
exit $code

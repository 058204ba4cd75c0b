// ProcoreSandbox

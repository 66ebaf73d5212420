module dev.hotreload/agent

go 1.22

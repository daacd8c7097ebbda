import KakapoLinuxIO

// kakapo-ctrl-agent: the REST control agent in place of Kea's kea-ctrl-agent (see runCtrlAgent).
runCtrlAgent()

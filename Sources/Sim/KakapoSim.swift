/// The simulator (issue 3) builds on Core; this target is reserved for it.
public enum KakapoSim {}

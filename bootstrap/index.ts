// Entry point of the bootstrap project (`cd bootstrap && pulumi up -s <env>`), run once per account by an administrator.
import { bootstrapProgram } from "./program";

export = bootstrapProgram();

// Entry point for `pulumi up`: everything happens in stacks/, which reads and validates config first.
import { voteAppProgram } from "./stacks";

export = voteAppProgram();

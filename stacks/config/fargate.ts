/**
 * Fargate task sizes AWS accepts (ECS developer guide, "Task CPU and memory"). A pair outside this table
 * is rejected by RegisterTaskDefinition at deploy time, so we reject it while reading config instead.
 */
interface FargateCpuRow {
    readonly cpu: number;
    readonly minMemory: number;
    readonly maxMemory: number;
    readonly step: number;
}

const FARGATE_ROWS: readonly FargateCpuRow[] = [
    { cpu: 256, minMemory: 512, maxMemory: 2048, step: 512 }, // 512, 1024, 2048 (1536 is not offered)
    { cpu: 512, minMemory: 1024, maxMemory: 4096, step: 1024 },
    { cpu: 1024, minMemory: 2048, maxMemory: 8192, step: 1024 },
    { cpu: 2048, minMemory: 4096, maxMemory: 16384, step: 1024 },
    { cpu: 4096, minMemory: 8192, maxMemory: 30720, step: 1024 },
    { cpu: 8192, minMemory: 16384, maxMemory: 61440, step: 4096 },
    { cpu: 16384, minMemory: 32768, maxMemory: 122880, step: 8192 },
];

export const FARGATE_CPU_VALUES: readonly number[] = FARGATE_ROWS.map((row) => row.cpu);

/** Memory values (MiB) AWS accepts with the given CPU units, or an empty list for an unknown CPU value. */
export function fargateMemoryOptions(cpu: number): number[] {
    const row = FARGATE_ROWS.find((r) => r.cpu === cpu);
    if (!row) return [];
    if (row.cpu === 256) return [512, 1024, 2048];
    const values: number[] = [];
    for (let memory = row.minMemory; memory <= row.maxMemory; memory += row.step) values.push(memory);
    return values;
}

/** Human-readable description of the memory range for a CPU value, used in error messages. */
export function describeFargateMemory(cpu: number): string {
    const row = FARGATE_ROWS.find((r) => r.cpu === cpu);
    if (!row) return `no memory sizes (unknown cpu ${cpu})`;
    if (row.cpu === 256) return "512, 1024 or 2048 MiB";
    return `${row.minMemory}–${row.maxMemory} MiB in steps of ${row.step}`;
}

/** The working-hours schedule is shared by the platforms: components/workingHours.ts. */
export { type WorkingHours, workingHoursCron } from "../workingHours";

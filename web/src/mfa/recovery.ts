/** The text of the downloaded (or copied) recovery codes: what they are for, for whom, and the codes, one a line. */
export function recoveryCodesText(codes: readonly string[], account: string, app: string, when: Date = new Date()): string {
  return [
    `${app} recovery codes for ${account}`,
    `Generated ${when.toISOString().slice(0, 10)}. Each code works once, instead of your second factor.`,
    'Keep them somewhere safe (a password manager, or printed). New codes replace all of these.',
    '',
    ...codes,
    '',
  ].join('\n');
}

/** A file name for them: "gatehouse-recovery-codes.txt". */
export const recoveryCodesFileName = (app: string): string => `${app.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'app'}-recovery-codes.txt`;

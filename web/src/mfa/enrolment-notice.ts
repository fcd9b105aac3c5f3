/** What a user whose role requires a second factor reads on the Security page until they have one. */
export const ENROL_NOTICE = 'Your role requires a second factor. Add a passkey or an authenticator app to continue.';

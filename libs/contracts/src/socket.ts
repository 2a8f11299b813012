/** Close codes of the application WebSocket. */
export const SocketCloseCode = { conferenceEnded: 4000, replaced: 4001, tooSlow: 4002 } as const;

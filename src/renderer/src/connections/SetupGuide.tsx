/** The app registration an admin needs, step by step (also in the README). */
export function SetupGuide({ isOpen = false }: { isOpen?: boolean }): React.JSX.Element {
  return (
    <details className="setup-guide" open={isOpen}>
      <summary>How to register the app in Entra ID</summary>
      <ol>
        <li>
          Entra admin center → <b>App registrations</b> → <b>New registration</b>. Name it (for
          example “Connector Audit Explorer”); accounts in this organisational directory only.
        </li>
        <li>
          <b>Authentication</b> → Add a platform → <b>Mobile and desktop applications</b> → redirect
          URI <code>http://localhost</code>. Set <b>Allow public client flows</b> to <i>Yes</i>{' '}
          (needed for sign-in with a code).
        </li>
        <li>
          <b>API permissions</b> → Add: <b>Office 365 Management APIs</b> → Delegated →{' '}
          <code>ActivityFeed.Read</code> (last 7 days) and <b>Microsoft Graph</b> → Delegated →{' '}
          <code>AuditLogsQuery.Read.All</code> (older history). For unattended CLI pulls add the
          same two as Application permissions and a certificate. Then <b>Grant admin consent</b>.
        </li>
        <li>
          Make sure auditing is on (Purview → Audit) and that you hold an audit role such as{' '}
          <i>View-Only Audit Logs</i>.
        </li>
        <li>
          Copy the <b>Application (client) ID</b> and the <b>Directory (tenant) ID</b> into a new
          connection below, then use <b>Test connection</b>.
        </li>
      </ol>
    </details>
  )
}

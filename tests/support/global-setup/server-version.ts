import pg from "pg";

/** "18.4" — asked of the server itself, so the label is true whatever the URL points at. */
export async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>("SHOW server_version");
    return rows[0].server_version.split(" ")[0];
  } finally {
    await client.end();
  }
}

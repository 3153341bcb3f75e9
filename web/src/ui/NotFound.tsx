export function NotFound() {
  return (
    <main>
      <h1>Not found</h1>
      <p>
        This page does not exist. <a href="#/contacts">Go to contacts</a>
      </p>
    </main>
  );
}

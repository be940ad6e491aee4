import { HomeView } from "./_components/Welcome";

export default function HomePage() {
  return <HomeView />;
}

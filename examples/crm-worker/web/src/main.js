import { createElement as h, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import Chart from "chart.js/auto";
import dayjs from "dayjs";
import "./style.css";

function Dashboard() {
  const [contacts, setContacts] = useState([]);
  const [stats, setStats] = useState(null);
  useEffect(() => {
    fetch("/api/contacts").then((r) => r.json()).then(setContacts);
    fetch("/api/stats").then((r) => r.json()).then(setStats);
  }, []);
  useEffect(() => {
    if (!stats) return;
    const canvas = document.getElementById("deals-chart");
    const chart = new Chart(canvas, {
      type: "bar",
      data: { labels: stats.by_stage.map((s) => s.stage), datasets: [{ label: "Deals", data: stats.by_stage.map((s) => s.count) }] },
    });
    return () => chart.destroy();
  }, [stats]);
  return h("main", null,
    h("h1", null, "Pipeline"),
    h("canvas", { id: "deals-chart" }),
    h("ul", null, contacts.map((c) => h("li", { key: c.id }, `${c.name} — last touch ${dayjs(c.updated_at).format("MMM D")}`))));
}

createRoot(document.getElementById("root")).render(h(Dashboard));

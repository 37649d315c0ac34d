// soda-js (npm, unchanged) against a live openborough behind a TLS relay (soda-js only speaks https).
// Usage: node sodajs_client.js HOST:PORT DATASET USER PASSWORD
// Prints one JSON object with what each consumer and producer call gave; exits 1 on any error.
const soda = require("soda-js");

const [site, dataset, username, password] = process.argv.slice(2);
const results = {};

function call(name, emitter) {
  return new Promise((resolve, reject) => {
    emitter
      .on("success", (body) => { results[name] = body; resolve(body); })
      .on("error", (err) => reject(new Error(`${name}: ${JSON.stringify(err)}`)));
  });
}

async function main() {
  const consumer = new soda.Consumer(site);
  await call("filtered", consumer.query().withDataset(dataset)
    .select("ref", "ward", "amount").where({ ward: "Belsize" }).order("ref").limit(5).getRows());
  await call("grouped", consumer.query().withDataset(dataset)
    .select("ward", "count(*) AS n").group("ward").order("ward").getRows());
  await call("soql", consumer.query().withDataset(dataset)
    .soql("SELECT ref, amount WHERE amount >= 80 ORDER BY ref DESC LIMIT 3").getRows());
  await call("search", consumer.query().withDataset(dataset).q("PCN00007").getRows());

  const producer = new soda.Producer(site, { username, password });
  const op = () => producer.operation().withDataset(dataset);
  await call("add", op().add([{ ref: "JS00001", ward: "Kilburn", amount: 55 }]));
  await call("upsert", op().upsert([{ ref: "JS00001", amount: 65 }, { ref: "JS00002", ward: "Kilburn", amount: 75 }]));
  await call("update", op().update("JS00002", { amount: 85 }));
  await call("replace", op().replace("JS00002", { ref: "JS00002", ward: "Gospel Oak", amount: 95 }));
  await call("delete", op().delete("JS00001"));
  await call("after", consumer.query().withDataset(dataset).where("starts_with(ref, 'JS')").order("ref").getRows());
  console.log(JSON.stringify(results));
}

main().catch((err) => { console.error(err.message); process.exit(1); });

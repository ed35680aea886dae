// Patches a trait group through the official twilio npm package against a convmem server and
// prints the 202 body ({message, statusUrl}) as one JSON line.
// Usage: node patch_trait_group.mjs <baseUrl> <storeId> <traitGroupName>
// Credentials come from TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN.
import twilio from "twilio";

const [baseUrl, storeId, name] = process.argv.slice(2);
if (!baseUrl || !storeId || !name) {
  console.error("usage: node patch_trait_group.mjs <baseUrl> <storeId> <traitGroupName>");
  process.exit(2);
}

const client = twilio(process.env.TWILIO_ACCOUNT_SID, process.env.TWILIO_AUTH_TOKEN);
// The Memory domain builds every URL from its baseUrl (default https://memory.twilio.com).
client.memory.baseUrl = baseUrl;

try {
  const response = await client.memory.v1.traitGroups(storeId, name).patch({
    description: "Contact channels and loyalty",
    traits: {
      phone: {
        dataType: "STRING",
        description: "Preferred phone number in E.164",
        validationRule: { ruleType: "STRING", pattern: "^\\+[1-9][0-9]{1,14}$", maxLength: 16 },
      },
      loyaltyPoints: {
        dataType: "NUMBER",
        description: "Points balance",
        validationRule: { ruleType: "NUMBER", min: 0 },
      },
    },
  });
  console.log(JSON.stringify({ message: response.message, statusUrl: response.statusUrl }));
} catch (error) {
  console.error(`patch failed: status=${error.status} code=${error.code} ${error.message}`);
  process.exit(1);
}

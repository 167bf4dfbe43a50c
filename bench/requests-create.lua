-- requests-create.lua: wrk script for bench/requests.sh - "Senden" of the request form as a
-- browser sends it (urlencoded here: the server reads both), each POST with a fresh submit
-- token so every one creates a request. Arguments: SESSION_COOKIE CSRF_TOKEN TYPE_KEY.
local cookie, csrf, type_key
local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local last = "AEIMQUYcgkosw048" -- values whose low two bits are 0: 43 chars carry 256 bits
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  cookie, csrf, type_key = args[1], args[2], args[3] or "question"
  math.randomseed(os.time() * 1000 + (id or 0))
end

local function token()
  local t = {}
  for i = 1, 42 do
    local k = math.random(1, 64)
    t[i] = chars:sub(k, k)
  end
  local k = math.random(1, 16)
  t[43] = last:sub(k, k)
  return table.concat(t)
end

function request()
  local body = "csrf=" .. csrf .. "&submit_token=" .. token() ..
    "&f_summary=Fehler+beim+Export+der+Lohnabrechnung+(Benchmark)" ..
    "&f_description=Seit+dem+Update+bricht+der+Export+ab.+Erstellt+von+wrk."
  return wrk.format("POST", "/new/" .. type_key, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "pf_session=" .. cookie,
  }, body)
end
